#!/bin/bash
# Usage: bash scripts/search-determinism.sh [DIR]. Runs one tiny seeded search with --workers 1, --workers 2,
# --queue (a redis-server on a free loopback port, two autoloss workers) and a coordinator kill -9 + --resume,
# then compares generations.jsonl, the final state and trainings.jsonl with the --workers 1 run.
# Determinism across executors and coordinator kill -9 + resume, on a tiny proxy.
cd "$(dirname "$0")/.."
D=${1:-runs/det}; mkdir -p $D
A="--domain reg --population 16 --parents 4 --train-top 2 --generations 3 --seed 7 --seed-builtins --proxy-steps 10 --proxy-images 16 --proxy-val-images 8 --baseline-seeds 0 --cache-dir .autoloss-cache --quiet --json"
rm -rf $D/w1 $D/w2 $D/q $D/kill
t=$(date +%s.%N); node bin/autoloss.js search $A --workers 1 --out $D/w1 > $D/w1.out 2>&1; echo "w1 rc=$? wall=$(echo "$(date +%s.%N) - $t" | bc)"
t=$(date +%s.%N); node bin/autoloss.js search $A --workers 2 --out $D/w2 > $D/w2.out 2>&1; echo "w2 rc=$? wall=$(echo "$(date +%s.%N) - $t" | bc)"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
redis-server --port $PORT --bind 127.0.0.1 --save '' --appendonly no > $D/redis.log 2>&1 & RP=$!
sleep 1
node bin/autoloss.js worker --queue redis://127.0.0.1:$PORT --name wa > $D/wa.log 2>&1 & WA=$!
node bin/autoloss.js worker --queue redis://127.0.0.1:$PORT --name wb > $D/wb.log 2>&1 & WB=$!
t=$(date +%s.%N); node bin/autoloss.js search $A --queue redis://127.0.0.1:$PORT --out $D/q > $D/q.out 2>&1; echo "queue rc=$? wall=$(echo "$(date +%s.%N) - $t" | bc)"
kill $WA $WB; sleep 2; kill $RP
# Coordinator kill -9 mid-generation, then resume.
node bin/autoloss.js search $A --workers 1 --out $D/kill > $D/kill.out 2>&1 & K=$!
while kill -0 $K 2>/dev/null && [ "$(cat $D/kill/trainings.jsonl 2>/dev/null | wc -l)" -lt 5 ]; do sleep 0.5; done
kill -9 $K; echo "killed after $(wc -l < $D/kill/trainings.jsonl) trainings, generations checkpointed: $(wc -l < $D/kill/generations.jsonl)"
node bin/autoloss.js search --resume $D/kill --generations 3 --quiet --json --cache-dir .autoloss-cache > $D/kill-resume.out 2>&1; echo "resume rc=$?"
python3 - "$D" <<'PY'
import json
import sys; D=sys.argv[1]
def gens(d): return [{k:v for k,v in json.loads(l).items() if k!='seconds'} for l in open(f'{D}/{d}/generations.jsonl')]
def trains(d): return [json.loads(l) for l in open(f'{D}/{d}/trainings.jsonl')]
def state(d):
    s=json.load(open(f'{D}/{d}/search-state.json')); s['history']=[{k:v for k,v in h.items() if k!='seconds'} for h in s['history']]; return s
for d in ['w2','q','kill']:
    t=trains(d); h=[x['hash'] for x in t]
    print(d, 'generations.jsonl equal to w1:', gens(d)==gens('w1'), '| state equal:', state(d)==state('w1'),
          '| trainings', len(t), 'distinct', len(set(h)), '| same set of (hash,fitness) as w1:', sorted((x['hash'],x['fitness']) for x in t)==sorted((x['hash'],x['fitness']) for x in trains('w1')),
          '| workers', sorted(set(x['worker'] for x in t)))
PY
