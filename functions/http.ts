import { app } from '@azure/functions';
import { functionsHandler } from '../src/http/functions-handler.ts';
import { routes } from '../src/http/routes.ts';
import { getServices } from '../src/main.ts';

// One HTTP function per route of the route table; authorization is the app's own (see src/http/pipeline.ts).
for (const route of routes) {
  app.http(route.name, {
    methods: [route.method],
    route: route.path.slice(1),
    authLevel: 'anonymous',
    handler: functionsHandler(route, getServices),
  });
}
