import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { registerServiceWorker } from './offline/cache.js';
import { applyTheme, loadTheme } from './theme/theme-choice.js';
import './styles.css';

registerServiceWorker();
// Before the first paint, so a dark choice never flashes light.
applyTheme(loadTheme());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
