/** Benchmark formats: MediConfusion dataset.json, captions, answers, export, zip, session, scoring. */
export * from './errors.ts';
export * from './csv.ts';
export * from './dataset.ts';
export * from './captions.ts';
export * from './answers.ts';
export * from './import.ts';
export * from './link.ts';
export * from './export.ts';
export * from './zip.ts';
export * from './session-file.ts';
export * from './agreement.ts';
export * from './score.ts';
export * from './provenance.ts';
