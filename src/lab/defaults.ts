/** Where the lab listens (server.ts): here, importing nothing, so that `pillars lab --help` quotes it without loading the server. */
export const LAB_HOST = '127.0.0.1';
export const LAB_PORT_DEFAULT = 7300;
