export { closeObjects } from './close-objects';
