export { dashboardDir } from './dashboard-dir.js';
