/** The console's settings (docs/operations.md "Configuration"): defaults, and bounds by name. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONSOLE, loadConfig } from '../../../src/config.js';

describe('loadConfig: the console', () => {
  it('defaults to a snapshot every 5 s and 3 activity streams per operator', () => {
    expect(loadConfig({}).console).toEqual(DEFAULT_CONSOLE);
    expect(DEFAULT_CONSOLE).toEqual({ activitySeconds: 5, maxStreamsPerOperator: 3 });
  });

  it('reads both settings and refuses out-of-range values, naming the variable', () => {
    const c = loadConfig({ CONSOLE_ACTIVITY_SECONDS: '2', CONSOLE_STREAMS_PER_OPERATOR: '7' });
    expect(c.console).toEqual({ activitySeconds: 2, maxStreamsPerOperator: 7 });
    expect(() => loadConfig({ CONSOLE_ACTIVITY_SECONDS: '0' })).toThrow(/CONSOLE_ACTIVITY_SECONDS/);
    expect(() => loadConfig({ CONSOLE_STREAMS_PER_OPERATOR: '0' })).toThrow(
      /CONSOLE_STREAMS_PER_OPERATOR/,
    );
  });
});
