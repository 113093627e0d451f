#!/usr/bin/env node
// The CLI's executable: everything lives in dist/cli/main.js (a thin front over the library's core).
import { main } from '../dist/cli/main.js'

process.exitCode = await main(process.argv.slice(2))
