#!/bin/sh
# A stand-in interpreter for the CLI tests: answers the driver's hello as a CPython 3.11 would,
# then hangs, deaf to its input, so only a signal can end it.
read -r request
echo '{"ok": true, "protocol": 2, "backend": "cpython", "version": "3.11.0", "description": "hanging", "implementation": "cpython", "executable": "hanging"}'
exec sleep 600
