import { installRuntime } from '../worker/runtime';

// Every test process logs SDK messages at WARN and above, so failures are not buried in INFO lines.
installRuntime();
