// One lazy chunk for the dialog and the page: two chunks sharing the list made the bundler split
// React out of the main chunk, which cost the first load ~1.7 kB gzip.
export { MyPadsDialog } from './MyPadsDialog.js';
export { MyPadsPage } from './MyPadsPage.js';
