/** Entry of the worker: exposes the host class; everything else lives beside it. */
import * as Comlink from 'comlink';
import { EncoderWorker } from './encoder-host.ts';

export type * from './encoder.protocol.ts';

Comlink.expose(new EncoderWorker());
