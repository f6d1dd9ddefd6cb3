import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import './styles/panels.css';
import './styles/forms.css';

mount(App, { target: document.getElementById('app') as HTMLElement });
