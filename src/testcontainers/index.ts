// `standin/testcontainers`: Standin's image as a Testcontainers module (testcontainers 11, an
// optional peer dependency).
export { StandinContainer, StartedStandinContainer, STANDIN_IMAGE } from './standin-container.ts';
