/** Writes packages/protocol/vectors/v1.json (run: pnpm --filter @offpay/protocol vectors). */
import { writeFileSync } from 'node:fs';
import { vectorsText } from './vectors.js';

const target = new URL('../vectors/v1.json', import.meta.url);
writeFileSync(target, vectorsText());
console.log(`wrote ${target.pathname}`);
