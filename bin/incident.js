#!/usr/bin/env node
// The `incident` command; built from client/cli by `npm run build` (npm ci runs it through "prepare").
require('../dist/client/cli/main.js');
