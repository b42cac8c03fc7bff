/**
 * An aedes broker in its own process, for tests that need a broker they can kill by pid:
 * `node --import tsx host-tests/support/aedes-broker.ts <port>` listens on 127.0.0.1:<port>
 * and prints "ready" once it accepts connections. Its persistence is in memory: a restarted
 * aedes has forgotten every session (brokers.ts tests restarts on mosquitto).
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2]);
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
