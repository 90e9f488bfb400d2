#!/bin/sh
# SPDX-License-Identifier: MIT
# Provisioner of the web machine: records its arguments and environment.
set -eu
echo "web: APP_ENV=$APP_ENV args=$*"
mkdir -p /srv/www
echo "hello from $(hostname)" > /srv/www/index.html
