import { mount } from 'svelte';
import App from './ui/App.svelte';
import { registerServiceWorker } from './privacy/register-sw.ts';
import './ui/theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('The page has no #app element.');
mount(App, { target });

// Offline support: caches the app shell and the ONNX runtime after the first online load
// (production builds only; in dev nothing is registered).
void registerServiceWorker({ onError: (message) => console.warn(message) });
