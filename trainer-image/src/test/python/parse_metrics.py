#!/usr/bin/env python3
"""Parses a /metrics scrape (stdin) with the Prometheus Python client's parsers and prints one JSON line:
{family: {"type": ..., "unit": ..., "samples": [[name, labels, value], ...]}}. The OpenMetrics parser is
strict (it rejects a counter without _total, a missing # EOF, a unit that is not the name's suffix).
Used by TrainerMetricsTest; needs `prometheus-client` (deploy-tests/install-tools.sh makes a venv).

  python parse_metrics.py text|openmetrics < scrape
"""
import json, sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as text


def main():
    body = sys.stdin.read()
    parse = openmetrics if sys.argv[1] == "openmetrics" else text
    out = {}
    for f in parse(body):
        out[f.name] = {"type": f.type, "unit": getattr(f, "unit", ""), "samples": [[s.name, s.labels, s.value] for s in f.samples]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
