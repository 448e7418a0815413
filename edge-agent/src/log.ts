/** Minimal structured logger; several agents share a process, so every line names its device. */
export interface AgentLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function consoleLogger(deviceId: string): AgentLogger {
  const line = (level: string, msg: string, fields?: Record<string, unknown>) =>
    JSON.stringify({ t: new Date().toISOString(), level, deviceId, msg, ...fields });
  return {
    info: (msg, fields) => console.log(line('info', msg, fields)),
    warn: (msg, fields) => console.warn(line('warn', msg, fields)),
    error: (msg, fields) => console.error(line('error', msg, fields)),
  };
}

export const silentLogger: AgentLogger = { info: () => {}, warn: () => {}, error: () => {} };
