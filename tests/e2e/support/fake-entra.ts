import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { selfSignedCertificate } from '../../support/fake-graph.ts';

/**
 * A small stand-in for Entra ID's v2.0 endpoints, at the HTTP wire, for @azure/msal-browser's redirect flow in AAD
 * protocol mode: the OpenID discovery document (`/{tenant}/v2.0/.well-known/openid-configuration`), `/authorize`
 * redirecting back with a code, `/token` answering id_token + access_token (+ client_info, as Entra does) after
 * checking the PKCE code_verifier, and the JWKS whose RS256 key signed them. Served over https (MSAL refuses an
 * http authority) with a self-signed certificate; everything the browser and the API sent is recorded.
 */
export interface EntraUser {
  tenantId: string;
  objectId: string;
  email: string;
  name: string;
  roles?: string[];
}

export interface FakeEntra {
  /** https://127.0.0.1:port */
  origin: string;
  /** host:port, for MSAL's knownAuthorities. */
  host: string;
  /** The issuer template for the API's AUTH_ISSUER (`{tenantid}` as Entra's v2.0 issuer). */
  issuer: string;
  jwksUri: string;
  certificate: string;
  authorizeRequests: URLSearchParams[];
  tokenRequests: URLSearchParams[];
  jwksRequests: number;
  close(): Promise<void>;
}

export async function startFakeEntra(options: { user: EntraUser; audience: string }): Promise<FakeEntra> {
  const { key, cert } = selfSignedCertificate();
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const codes = new Map<string, { challenge: string; nonce: string; clientId: string; scope: string }>();
  const authorizeRequests: URLSearchParams[] = [];
  const tokenRequests: URLSearchParams[] = [];
  let jwksRequests = 0;
  let origin = '';
  const user = options.user;
  const issuerOf = (tenantId: string) => `${origin}/${tenantId}/v2.0`;
  const clientInfo = Buffer.from(JSON.stringify({ uid: user.objectId, utid: user.tenantId })).toString('base64url');

  const tokens = async (clientId: string, scope: string, nonce: string | undefined) => {
    const now = Math.floor(Date.now() / 1000);
    const common = {
      tid: user.tenantId,
      oid: user.objectId,
      preferred_username: user.email,
      name: user.name,
      ver: '2.0',
    };
    const sign = (claims: Record<string, unknown>, audience: string) =>
      new SignJWT({ ...common, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuerOf(user.tenantId))
        .setSubject(user.objectId)
        .setAudience(audience)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 3600)
        .sign(privateKey);
    return {
      token_type: 'Bearer',
      scope,
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: await sign(
        { email: user.email, ...(user.roles?.length ? { roles: user.roles } : {}), scp: 'access_as_user' },
        options.audience,
      ),
      id_token: await sign(nonce ? { nonce } : {}, clientId),
      refresh_token: randomBytes(24).toString('base64url'),
      client_info: clientInfo,
    };
  };

  const server: Server = createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-headers': '*',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
    };
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...cors });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    const [, tenant = 'common', ...rest] = url.pathname.split('/');
    const route = rest.join('/');
    if (req.method === 'GET' && route === 'v2.0/.well-known/openid-configuration') {
      // As Entra answers for a tenant-independent authority: endpoints under the authority's tenant segment, the
      // issuer with the `{tenantid}` placeholder.
      return json(200, {
        issuer: `${origin}/{tenantid}/v2.0`,
        authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
        token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
        end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
        jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['plain', 'S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'name', 'preferred_username', 'oid', 'tid'],
        tenant_region_scope: null,
        cloud_instance_name: 'microsoftonline.com',
      });
    }
    if (req.method === 'GET' && route === 'discovery/v2.0/keys') {
      jwksRequests++;
      return json(200, { keys: [publicJwk] });
    }
    if (req.method === 'GET' && route === 'oauth2/v2.0/authorize') {
      authorizeRequests.push(url.searchParams);
      const q = url.searchParams;
      const redirect = q.get('redirect_uri');
      if (!redirect || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256') {
        return json(400, { error: 'invalid_request', error_description: 'code flow with S256 PKCE only' });
      }
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        challenge: q.get('code_challenge') ?? '',
        nonce: q.get('nonce') ?? '',
        clientId: q.get('client_id') ?? '',
        scope: q.get('scope') ?? '',
      });
      const answer = new URLSearchParams({ code, client_info: clientInfo, session_state: randomUUID() });
      if (q.get('state')) answer.set('state', q.get('state')!);
      const target = q.get('response_mode') === 'query' ? `${redirect}?${answer}` : `${redirect}#${answer}`;
      res.writeHead(302, { location: target });
      res.end();
      return;
    }
    if (req.method === 'POST' && route === 'oauth2/v2.0/token') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        tokenRequests.push(form);
        void (async () => {
          if (form.get('grant_type') === 'refresh_token')
            return json(200, await tokens(form.get('client_id') ?? '', form.get('scope') ?? '', undefined));
          const issued = codes.get(form.get('code') ?? '');
          if (form.get('grant_type') !== 'authorization_code' || !issued)
            return json(400, { error: 'invalid_grant', error_description: 'unknown code' });
          codes.delete(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge)
            return json(400, { error: 'invalid_grant', error_description: 'PKCE code_verifier does not match' });
          if (form.get('client_id') !== issued.clientId)
            return json(400, { error: 'invalid_client', error_description: 'client_id differs from /authorize' });
          return json(200, await tokens(issued.clientId, form.get('scope') ?? issued.scope, issued.nonce));
        })().catch((error: unknown) => json(500, { error: 'server_error', error_description: String(error) }));
      });
      return;
    }
    if (req.method === 'GET' && route === 'oauth2/v2.0/logout') {
      res.writeHead(302, { location: url.searchParams.get('post_logout_redirect_uri') ?? '/' });
      res.end();
      return;
    }
    json(404, { error: 'not_found', error_description: `${req.method} ${url.pathname}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `https://127.0.0.1:${port}`;
  return {
    origin,
    host: `127.0.0.1:${port}`,
    issuer: `${origin}/{tenantid}/v2.0`,
    jwksUri: `${origin}/common/discovery/v2.0/keys`,
    certificate: cert,
    authorizeRequests,
    tokenRequests,
    get jwksRequests() {
      return jwksRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
