/** Structured logging of one invocation (the Functions context locally and in Azure). */
export type Logger = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
