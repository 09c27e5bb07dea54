import { describe, expect, it } from 'vitest';
import { loadConfig, type ConfigError } from '../../src/config.ts';

const valid = {
  AUTH_MODE: 'local',
  AUTH_AUDIENCE: 'api://x',
  AUTH_ISSUER: 'https://issuer/{tenantid}/v2.0',
  AUTH_ALLOWED_TENANTS: '*',
  PARTNER_TENANT_ID: '00000000-0000-4000-8000-00000000cafe',
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

describe('mail and invitation settings', () => {
  it('default to mail in a folder, a week-long invitation and the local portal', () => {
    expect(loadConfig(valid)).toMatchObject({
      MAIL_MODE: 'folder',
      INVITATION_TTL_HOURS: 168,
      PORTAL_BASE_URL: 'http://localhost:7071',
    });
  });

  it('need the sender and the Graph app when mail goes through Graph', () => {
    let problems: string[] = [];
    try {
      loadConfig({ ...valid, MAIL_MODE: 'graph', PORTAL_BASE_URL: 'javascript:alert(1)' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'GRAPH_CLIENT_ID',
      'GRAPH_CLIENT_SECRET',
      'MAIL_SENDER',
      'PORTAL_BASE_URL',
    ]);
    expect(
      loadConfig({
        ...valid,
        MAIL_MODE: 'graph',
        MAIL_SENDER: 'portal@partner.example',
        GRAPH_CLIENT_ID: 'id',
        GRAPH_CLIENT_SECRET: 's',
      }).MAIL_MODE,
    ).toBe('graph');
  });
});
