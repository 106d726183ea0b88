/** The captions worker: the core captions reader behind comlink, so a million rows never block the page. */
import * as Comlink from 'comlink';
import { CaptionsFileReader } from '../core/benchmark/captions-reader.ts';

Comlink.expose(new CaptionsFileReader());
