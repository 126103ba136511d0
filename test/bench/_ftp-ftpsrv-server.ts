/**
 * The ftp-srv contender of `ftp.ts` (the `ftp-srv` package from npm, what JavaScript users pick
 * for an FTP server): user `user`, password `pass`, serving the folder given, on 127.0.0.1 at the
 * port given (passive connections on 127.0.0.1 too), its logging (bunyan JSON on stdout, a line
 * per command) silenced, as Spindle's is. Prints the port; exits when stdin closes.
 */
import { FtpSrv } from 'ftp-srv';
import { serveParent } from './_child-side.js';

const [root, port] = process.argv.slice(2);
const quiet = { child: () => quiet, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
const server = new FtpSrv({
  url: `ftp://127.0.0.1:${port}`,
  pasv_url: '127.0.0.1',
  anonymous: false,
  log: quiet as never,
});
server.on('login', ({ username, password }, resolve, reject) => {
  if (username === 'user' && password === 'pass') resolve({ root: root! });
  else reject(new Error('bad login'));
});
await server.listen();
console.log(port);
serveParent();
