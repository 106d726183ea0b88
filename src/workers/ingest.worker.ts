/** Entry of the worker: exposes the host class; everything else lives beside it. */
import * as Comlink from 'comlink';
import { IngestWorker } from './ingest-host.ts';

export type * from './ingest.protocol.ts';

Comlink.expose(new IngestWorker());
