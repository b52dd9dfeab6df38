import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.media.rtcPortBase).toBe(40000);
    expect(c.media.iceTcp).toBe(true);
    expect(c.media.workerCount).toBeGreaterThan(0);
    expect(c.media.allowPlainTransports).toBe(false);
    expect(c.media.announcedAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(c.webHandler).toMatch(/web\/build\/handler\.js$/);
  });

  it('reads the environment', () => {
    const c = loadConfig({
      PORT: '8080',
      MEDIA_ANNOUNCED_ADDRESS: 'school.example.cn',
      ALLOW_PLAIN_TRANSPORTS: '1',
      CLOUDSCHOOL_TEST_MODE: '1',
      MEDIA_ICE_TCP: '0',
    });
    expect(c.port).toBe(8080);
    expect(c.media.iceTcp).toBe(false);
    expect(c.media.announcedAddress).toBe('school.example.cn');
    expect(c.media.allowPlainTransports).toBe(true);
  });

  it('refuses raw-RTP transports outside a test mode', () => {
    expect(() => loadConfig({ ALLOW_PLAIN_TRANSPORTS: '1' })).toThrow(/CLOUDSCHOOL_TEST_MODE/);
  });

  it('names what is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ MEDIA_PLAIN_PORT_MIN: '5000', MEDIA_PLAIN_PORT_MAX: '4000' })).toThrow(
      ConfigError,
    );
  });

  it('hands out TURN relays only when both their URLs and the secret are set', () => {
    expect(loadConfig({}).turn).toBeUndefined();
    const c = loadConfig({
      TURN_URLS: 'turn:turn.example.cn:3478?transport=udp, turns:turn.example.cn:443?transport=tcp',
      TURN_SECRET: 'a-shared-secret-of-a-district',
    });
    expect(c.turn?.urls).toEqual([
      'turn:turn.example.cn:3478?transport=udp',
      'turns:turn.example.cn:443?transport=tcp',
    ]);
    expect(c.turn?.ttlSeconds).toBe(6 * 3600);
    expect(() => loadConfig({ TURN_URLS: 'turn:turn.example.cn:3478' })).toThrow(/TURN_SECRET/);
    expect(() => loadConfig({ TURN_URLS: 'http://x', TURN_SECRET: 'a-shared-secret-of-a-district' })).toThrow(
      /TURN_URLS/,
    );
  });

  it('takes a metrics token of at least 24 characters without spaces, or none', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'x'.repeat(24) }).metricsToken).toBe('x'.repeat(24));
    expect(() => loadConfig({ METRICS_TOKEN: 'x'.repeat(23) })).toThrow(/METRICS_TOKEN: at least 24/);
    expect(() => loadConfig({ METRICS_TOKEN: `${'x'.repeat(24)} y` })).toThrow(/METRICS_TOKEN: no spaces/);
  });
});
