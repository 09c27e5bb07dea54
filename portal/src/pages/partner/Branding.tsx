import { Button, Field, Input, MessageBar, MessageBarActions, MessageBarBody, Text } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, ApiError, call, type Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { textOn, validColor } from '../../app/branding';
import { useBranding } from '../../app/branding-context';
import { Card, ErrorBar, Loading, Page, Success } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';

type Profile = Schemas['PartnerProfile'];

/** The stored profile with its ETag (none until a partner admin first saves one: the first PUT creates it). */
async function loadProfile(): Promise<{ profile: Profile; etag: string | undefined }> {
  const { data, error, response } = await api.GET('/api/settings/partner-profile');
  if (!response.ok || !data) throw new ApiError(response.status, error as ApiError['problem']);
  return { profile: data, etag: response.headers.get('etag') ?? undefined };
}

/**
 * F-BRAND: the partner's name and accent colour are the partner profile on the server (every customer's portal
 * reads them from the anonymous GET /api/branding); a save sends the ETag of the read it started from, so two
 * admins editing at once cannot overwrite each other silently.
 */
export default function Branding() {
  const { t } = useI18n();
  const { branding, setBranding } = useBranding();
  const state = useApi(loadProfile, []);
  const [etag, setEtag] = useState<string>();
  const [profile, setProfile] = useState<Profile>();
  const [name, setName] = useState('');
  const [accent, setAccent] = useState('');
  const [message, setMessage] = useState<string>();
  const [stale, setStale] = useState(false);
  useEffect(() => {
    if (!state.data) return;
    setProfile(state.data.profile);
    setEtag(state.data.etag);
    setName(state.data.profile.legalName);
    setAccent(state.data.profile.accentColor);
    setStale(false);
  }, [state.data]);
  const action = useAction();
  const save = () =>
    action.run(async () => {
      setMessage(undefined);
      const body = { ...(profile as Profile), legalName: name.trim(), accentColor: accent };
      const { data, error, response } = await api.PUT('/api/settings/partner-profile', {
        body,
        params: { header: etag ? { 'If-Match': etag } : {} },
      });
      // 412: changed since our read; 409: someone created the profile while this page showed the defaults.
      if (response.status === 412 || response.status === 409) {
        setStale(true);
        return;
      }
      if (!response.ok || !data) throw new ApiError(response.status, error as ApiError['problem']);
      setProfile(data);
      setEtag(response.headers.get('etag') ?? undefined);
      setAccent(data.accentColor);
      setBranding({ ...branding, partnerName: data.legalName, accentColor: data.accentColor });
      setMessage(t('app.saved'));
    });
  const upload = (file: File) =>
    action.run(async () => {
      const logo = await call(
        api.PUT('/api/branding/logo', {
          body: file as unknown as undefined,
          bodySerializer: (b: unknown) => b as Blob,
          headers: { 'content-type': file.type },
        }),
      );
      setBranding({ ...branding, logoUrl: URL.createObjectURL(file) });
      setMessage(t('branding.uploaded', { width: logo.width, height: logo.height }));
    });
  const color = validColor(accent) ?? branding.accentColor;
  return (
    <Page title={t('nav.branding')}>
      <Success message={message} />
      <ErrorBar error={action.error} />
      {stale && (
        <MessageBar intent="warning" layout="multiline" role="alert">
          <MessageBarBody>{t('branding.stale')}</MessageBarBody>
          <MessageBarActions>
            <Button onClick={state.reload}>{t('branding.reload')}</Button>
          </MessageBarActions>
        </MessageBar>
      )}
      <Loading state={state}>
        {() => (
          <Card>
            <form
              style={{
                display: 'grid',
                gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))',
                gap: 12,
                alignItems: 'end',
              }}
              onSubmit={(e) => {
                e.preventDefault();
                void save();
              }}
            >
              <Field label={t('branding.partnerName')} required>
                <Input value={name} maxLength={200} onChange={(_, d) => setName(d.value)} />
              </Field>
              <Field
                label={t('branding.accent')}
                validationMessage={validColor(accent) ? undefined : t('branding.accentInvalid')}
              >
                {(props) => (
                  <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
                    <input
                      {...props}
                      type="color"
                      value={color.toLowerCase()}
                      onChange={(e) => setAccent(e.target.value.toUpperCase())}
                    />
                    <Input
                      aria-label={t('branding.accentHex')}
                      value={accent}
                      onChange={(_, d) => setAccent(d.value)}
                    />
                  </div>
                )}
              </Field>
              <Button
                type="submit"
                appearance="primary"
                disabled={action.busy || stale}
                style={{ justifySelf: 'start' }}
              >
                {t('app.save')}
              </Button>
            </form>
            <Text size={200}>{t('branding.shared')}</Text>
          </Card>
        )}
      </Loading>
      <Card>
        <Field label={t('branding.logo')}>
          <input
            type="file"
            aria-label={t('branding.logo')}
            accept="image/png,image/jpeg"
            onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])}
          />
        </Field>
      </Card>
      <Card label={t('branding.preview')}>
        <Text weight="semibold">{t('branding.preview')}</Text>
        <div
          style={{
            background: color,
            color: textOn(color),
            padding: 12,
            display: 'flex',
            gap: 12,
            alignItems: 'center',
          }}
        >
          {branding.logoUrl && <img src={branding.logoUrl} alt="" style={{ maxHeight: 32, background: '#fff' }} />}
          <span>{name}</span>
        </div>
      </Card>
    </Page>
  );
}
