import { createFronteggServer } from './server.js';
import { fronteggVerifier } from './verifier.js';

// FRONTEGG_CLIENT_ID=... FRONTEGG_API_KEY=... [FRONTEGG_API_GATEWAY_URL=https://api.us.frontegg.com/] npm start
const port = Number(process.env.PORT ?? 3000);
createFronteggServer(fronteggVerifier()).listen(port, () => console.log(`listening on http://localhost:${port}`));
