#!/usr/bin/env bash
# Soak test (not part of CI): create and drop resources over and over in ONE session and
# check that neither the host nor the guest grows. The seed's pitfall: resources leak
# memory unless destructors run; test with repeated create/destroy cycles.
#
#     bash scripts/soak.sh            # CYCLES=1000000 by default
#
# Runs crates/weft-runtime/benches/soak.rs (release build) for `types.counter` and
# `sqldb.db`: it prints the host's RSS and the guest's linear memory after 1% of the
# cycles and at the end. A leak shows as growth between the two; flat is the pass.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${CYCLES:-1000000} cargo bench --quiet -p weft-runtime --bench soak
