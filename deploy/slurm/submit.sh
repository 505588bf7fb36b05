#!/bin/bash
# Submits the shards and the merge, the merge after every array task has ended.
#   bash deploy/slurm/submit.sh      (from the repository's root, after `make build`)
set -eu
mkdir -p reports
rm -rf reports/shard-*
array=$(sbatch --parsable deploy/slurm/shards.sbatch)
sbatch --dependency="afterany:${array}" deploy/slurm/merge.sbatch
