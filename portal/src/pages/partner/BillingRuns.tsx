import { Badge, Button, Field, Input, ProgressBar, Text } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { Card, ErrorBar, Page, Toolbar } from '../../components/page';
import { useAction } from '../../components/use-api';

function lastMonth(): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

export default function BillingRuns() {
  const { t } = useI18n();
  const [period, setPeriod] = useState(lastMonth);
  const [run, setRun] = useState<Schemas['BillingRun']>();
  const action = useAction();

  // The page opens on last month's run, when there is one (a 404 only means it has not been started).
  useEffect(() => {
    void call(api.GET('/api/billing/runs/{runId}', { params: { path: { runId: lastMonth() } } }))
      .then(setRun)
      .catch(() => undefined);
  }, []);

  // Live progress: polls the run until it has finished (running, then completing its bundle and manifest).
  useEffect(() => {
    if (!run || (run.status !== 'running' && run.status !== 'completing')) return;
    const timer = setTimeout(() => {
      void call(api.GET('/api/billing/runs/{runId}', { params: { path: { runId: run.id } } }))
        .then(setRun)
        .catch(() => undefined);
    }, 1000);
    return () => clearTimeout(timer);
  }, [run]);

  const done = run ? run.customersDone + run.customersFailed + run.customersNotDue : 0;
  return (
    <Page title={t('nav.billingRuns')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => setRun(await call(api.POST('/api/billing/runs', { body: { period } }))));
        }}
      >
        <Toolbar>
          <Field label={t('runs.period')}>
            <Input value={period} pattern="\d{4}-\d{2}" onChange={(_, d) => setPeriod(d.value)} />
          </Field>
          <Button
            type="submit"
            appearance="primary"
            disabled={action.busy || run?.status === 'running' || run?.status === 'completing'}
          >
            {t('runs.start')}
          </Button>
          <Button
            type="button"
            onClick={() =>
              void action.run(async () =>
                setRun(await call(api.GET('/api/billing/runs/{runId}', { params: { path: { runId: period } } }))),
              )
            }
          >
            {t('app.search')}
          </Button>
        </Toolbar>
      </form>
      <ErrorBar error={action.error} />
      {run && (
        <Card label={run.period}>
          <Text weight="semibold">
            {run.period}{' '}
            <Badge
              appearance="tint"
              color={
                run.status === 'completed'
                  ? 'success'
                  : run.status === 'running' || run.status === 'completing'
                    ? 'informative'
                    : 'warning'
              }
            >
              {t(`status.${run.status}`)}
            </Badge>
          </Text>
          <ProgressBar
            value={run.customersTotal ? done / run.customersTotal : 0}
            aria-label={t('runs.progress', { done: run.customersDone, total: run.customersTotal })}
          />
          <Text>
            {t('runs.progress', { done: run.customersDone, total: run.customersTotal })} ·{' '}
            {t('runs.notDue', { count: run.customersNotDue })} · {t('runs.failed', { count: run.customersFailed })}
          </Text>
          {run.failures?.map((f) => (
            <Text key={`${f.customerId}:${f.cycle ?? ''}`}>
              {f.customerId} {f.cycle ?? ''}: {f.reason ?? ''}
            </Text>
          ))}
        </Card>
      )}
    </Page>
  );
}
