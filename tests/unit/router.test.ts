import { describe, expect, it } from 'vitest';
import { createRouter } from '../../dev/router.ts';

describe('local host router', () => {
  const route = createRouter([
    { method: 'GET', path: '/customers', target: 'list' },
    { method: 'GET', path: '/customers/{customerId}', target: 'get' },
    { method: 'PATCH', path: '/customers/{customerId}', target: 'patch' },
  ]);

  it('matches templates and decodes parameters', () => {
    expect(route('GET', '/customers/a%20b')).toEqual({ found: { target: 'get', params: { customerId: 'a b' } } });
    expect(route('GET', '/customers/')).toEqual({ found: { target: 'list', params: {} } });
  });

  it('tells which methods a known path allows', () => {
    expect(route('DELETE', '/customers/x')).toEqual({ found: undefined, methodsAllowed: ['GET', 'PATCH'] });
  });

  it('finds nothing for unknown paths or undecodable segments', () => {
    expect(route('GET', '/nothing')).toEqual({ found: undefined, methodsAllowed: [] });
    expect(route('GET', '/customers/%E0%A4%A')).toEqual({ found: undefined, methodsAllowed: [] });
  });
});
