import { Button, Field, Input, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { saveLocalBranding, textOn, validColor } from '../../app/branding';
import { useBranding } from '../../app/branding-context';
import { Card, ErrorBar, Page, Success } from '../../components/page';
import { useAction } from '../../components/use-api';

export default function Branding() {
  const { t } = useI18n();
  const { branding, setBranding } = useBranding();
  const [name, setName] = useState(branding.partnerName);
  const [accent, setAccent] = useState(branding.accentColor);
  const [message, setMessage] = useState<string>();
  const action = useAction();
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
            saveLocalBranding({ partnerName: name, accentColor: color });
            setBranding({ ...branding, partnerName: name, accentColor: color });
            setMessage(t('app.saved'));
          }}
        >
          <Field label={t('branding.partnerName')}>
            <Input value={name} onChange={(_, d) => setName(d.value)} />
          </Field>
          <Field label={t('branding.accent')}>
            {(props) => (
              <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
                <input {...props} type="color" value={color} onChange={(e) => setAccent(e.target.value)} />
                <Input aria-label={t('branding.accent')} value={accent} onChange={(_, d) => setAccent(d.value)} />
              </div>
            )}
          </Field>
          <Button type="submit" appearance="primary">
            {t('app.save')}
          </Button>
        </form>
        <Text size={200}>{t('branding.local')}</Text>
      </Card>
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
