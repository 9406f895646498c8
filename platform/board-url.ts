import type { BoardConfig } from './config/schema';

// Where the board is reached: the configured public address (a reverse proxy's), else its own listener.
// The mailer puts it in every link; the board and `npm start` print it.

export function boardUrl(config: { board: BoardConfig }): string {
  const { publicUrl, host, port, tls } = config.board;
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const scheme = tls.certPath ? 'https' : 'http';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
