import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useSyncExternalStore, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n/i18n';
import type { Loaded } from './use-api';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, minWidth: 0 },
  head: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', justifyContent: 'space-between', gap: '8px' },
  toolbar: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM },
  scroll: {
    overflowX: 'auto',
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
  },
  // Below the phone breakpoint a table is a list of cards, one per row, every column a labelled field: nothing
  // (least of all a row's action) is off-screen behind a sideways scroll.
  cards: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '8px' },
  item: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
  },
  fields: {
    display: 'grid',
    gridTemplateColumns: 'minmax(6rem, 38%) minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    overflowWrap: 'anywhere',
  },
  field: { display: 'contents' },
  term: { color: tokens.colorNeutralForeground2, fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0, minWidth: 0 },
  card: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
    padding: tokens.spacingHorizontalL,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
  },
});

export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const styles = useStyles();
  return (
    <section className={styles.page} aria-labelledby="page-title">
      <div className={styles.head}>
        <Title2 as="h1" id="page-title">
          {title}
        </Title2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Toolbar({ children }: { children: ReactNode }) {
  return <div className={useStyles().toolbar}>{children}</div>;
}

export function Card({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <div className={useStyles().card} role={label ? 'region' : undefined} aria-label={label}>
      {children}
    </div>
  );
}

/** An error as the user should read it: the problem's detail, and each field named. */
export function ErrorBar({ error, onRetry }: { error: Error | undefined; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  const fields = error instanceof ApiError ? (error.problem?.errors ?? []) : [];
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{t('app.error')}</MessageBarTitle>
        {error.message}
        {fields.length > 0 && (
          <ul>
            {fields.map((f) => (
              <li key={f.path}>
                {f.path}: {f.message}
              </li>
            ))}
          </ul>
        )}
        {onRetry && (
          <Button appearance="transparent" onClick={onRetry}>
            {t('app.retry')}
          </Button>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Success({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <MessageBar intent="success" role="status">
      <MessageBarBody>{message}</MessageBarBody>
    </MessageBar>
  );
}

/** Loading spinner, error with retry, or the content once the data is there. */
export function Loading<T>({ state, children }: { state: Loaded<T>; children: (data: T) => ReactNode }) {
  const { t } = useI18n();
  if (state.error) return <ErrorBar error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return <Spinner label={t('app.loading')} />;
  return <>{children(state.data)}</>;
}

/** Phone width: where tables become stacked cards (desktop and tablets keep the table). */
const PHONE = '(max-width: 600px)';

function usePhone(): boolean {
  return useSyncExternalStore(
    (changed) => {
      const query = window.matchMedia(PHONE);
      query.addEventListener('change', changed);
      return () => query.removeEventListener('change', changed);
    },
    () => window.matchMedia(PHONE).matches,
  );
}

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
}

export function DataTable<T>({
  columns,
  rows,
  rowKey,
  label,
}: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  label: string;
}) {
  const styles = useStyles();
  const { t } = useI18n();
  const phone = usePhone();
  if (rows.length === 0) return <Card>{t('app.empty')}</Card>;
  if (phone) {
    return (
      <ul aria-label={label} className={styles.cards}>
        {rows.map((row) => (
          <li key={rowKey(row)} className={styles.item}>
            <dl className={styles.fields}>
              {columns.map((c) => (
                <div key={c.key} className={styles.field}>
                  <dt className={styles.term}>{c.header}</dt>
                  <dd className={styles.value}>{c.render(row)}</dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ul>
    );
  }
  return (
    <div className={styles.scroll}>
      <Table
        aria-label={label}
        size="small"
        style={{ tableLayout: 'auto', minWidth: Math.min(columns.length * 120, 1000) }}
      >
        <TableHeader>
          <TableRow>
            {columns.map((c) => (
              <TableHeaderCell key={c.key}>{c.header}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={rowKey(row)}>
              {columns.map((c) => (
                <TableCell key={c.key}>{c.render(row)}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
