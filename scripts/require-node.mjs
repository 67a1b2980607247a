// Gatehouse runs on Node 22 or newer (package.json "engines"). npm only warns
// about "engines" (EBADENGINE) and then installs anyway, and the app half-works
// on Node 20, which is past its end of life: refuse it here, with one line,
// before anything is built or started. Kept free of syntax and APIs that an
// older Node could trip over before printing the message.
const REQUIRED_MAJOR = 22;
const version = process.versions.node;
const major = Number(version.split(".")[0]);
if (!(major >= REQUIRED_MAJOR)) {
  console.error(`Gatehouse needs Node.js ${REQUIRED_MAJOR} or newer, and this is Node.js ${version}. Install Node.js ${REQUIRED_MAJOR} LTS, then run the command again.`);
  process.exit(1);
}
