/**
 * The destination of the collector `cctap up` runs in-process: its checkpoints belong to the store it fills
 * (through the JetStream stream when `up` runs on NATS). Apart from collector-destination.ts so that
 * `cctap collect`, which never opens a store, does not load @cctap/store.
 */
import type { Destination } from '@cctap/collector';
import { storeIdentity, type Store } from '@cctap/store';

/** The store's own id (sink store-identity.ts), joined with the stream's when `up` runs on NATS. */
export async function upDestination(store: Store, stream: Destination | null): Promise<Destination> {
  const id = `store:${await storeIdentity(store)}`;
  const label = `the store ${store.location}`;
  return stream ? { id: `${id}|${stream.id}`, label: `${label} through ${stream.label}` } : { id, label };
}
