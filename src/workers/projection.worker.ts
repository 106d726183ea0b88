/** The projection worker: the core projection service behind comlink. */
import * as Comlink from 'comlink';
import { ProjectionService } from '../core/projection/projection-service.ts';

Comlink.expose(new ProjectionService());
