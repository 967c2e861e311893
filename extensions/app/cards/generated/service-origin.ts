// Written by `npm run truce -- hubspot-project --public-url URL`; do not edit by hand.
export const SERVICE_BASE_URL = 'https://truce.example.com';
