/** The HTTP start endpoint (POST /watches). What the rest of the project imports from this folder. */
export { answerStartRequest } from './start-watch-endpoint.js';
