import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers log every activity failure at WARN; tests provoke many on purpose.
Runtime.install({ logger: new DefaultLogger('ERROR') });
