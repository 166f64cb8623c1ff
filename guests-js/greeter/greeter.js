// The seed's greeter, in JavaScript: the same greetings as guests/greeter, each logged
// through the imported `logging` interface, so `weft test` can run the same test file
// against both components with a mocked logger.
import { log } from 'example:greeter/logging@1.0.0';

// The level guests/greeter logs greetings at.
const LOG_LEVEL = 1;

export const greeting = {
  greet(person) {
    log(LOG_LEVEL, `Greeting ${person.name}`);
    const title = person.title ? `${person.title} ` : '';
    return `Hello, ${title}${person.name}! Welcome aboard.`;
  },
  farewell(person) {
    log(LOG_LEVEL, `Farewell ${person.name}`);
    return `Goodbye, ${person.name}! See you next time.`;
  },
};
