// A coordinator in a process of its own, for tests that kill it: runs the jobs
// in JOBS.json through the queue at URL and writes the outcomes to OUT.json.
// Usage: node --import tsx test/helpers/queue-coordinator.ts URL JOBS.json OUT.json
import { readFileSync, writeFileSync } from 'node:fs';
import { createExecutor, type Job } from '../../src/search/executor/index.js';

const [url, jobsFile, outFile] = process.argv.slice(2) as [string, string, string];
const jobs = JSON.parse(readFileSync(jobsFile, 'utf8')) as Job[];
const ex = await createExecutor({ queue: url });
const outcomes = await ex.run(jobs);
await ex.close();
writeFileSync(outFile, JSON.stringify(outcomes));
