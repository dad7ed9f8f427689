import { describe, expect, it } from 'vitest';
import { clientAddress } from '../src/client-address.ts';

describe('client address', () => {
  it('is the socket address unless a trusted proxy is in front', () => {
    expect(clientAddress('1.2.3.4', '10.0.0.9', false)).toBe('10.0.0.9');
    expect(clientAddress(null, '10.0.0.9', true)).toBe('10.0.0.9');
  });

  it('behind the proxy, takes the entry the proxy appended, not what the client sent', () => {
    expect(clientAddress('forged-by-client, 203.0.113.7', '10.0.0.1', true)).toBe('203.0.113.7');
    expect(clientAddress(['198.51.100.1', '203.0.113.8'], '10.0.0.1', true)).toBe('203.0.113.8');
  });
});
