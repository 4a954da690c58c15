/** Connection options from the kit's NATS config fields (natsConfigShape). */
import type { NatsConnectOptions } from './connect.js';

export interface NatsConfigFields {
  nats: string;
  natsUser?: string | undefined;
  natsPassword?: string | undefined;
  natsToken?: string | undefined;
  natsNkeySeedFile?: string | undefined;
  natsCredsFile?: string | undefined;
  natsTlsCa?: string | undefined;
  natsTlsCert?: string | undefined;
  natsTlsKey?: string | undefined;
}

export function natsOptionsFromConfig(c: NatsConfigFields, name: string): NatsConnectOptions {
  return {
    servers: c.nats,
    name,
    ...(c.natsUser ? { user: c.natsUser, password: c.natsPassword ?? '' } : {}),
    ...(c.natsToken ? { token: c.natsToken } : {}),
    ...(c.natsNkeySeedFile ? { nkeySeedFile: c.natsNkeySeedFile } : {}),
    ...(c.natsCredsFile ? { credsFile: c.natsCredsFile } : {}),
    ...(c.natsTlsCa || c.natsTlsCert || c.natsTlsKey
      ? {
          tls: {
            ...(c.natsTlsCa ? { caFile: c.natsTlsCa } : {}),
            ...(c.natsTlsCert ? { certFile: c.natsTlsCert } : {}),
            ...(c.natsTlsKey ? { keyFile: c.natsTlsKey } : {}),
          },
        }
      : {}),
  };
}
