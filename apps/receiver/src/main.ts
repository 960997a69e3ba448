import '@offpay/app-kit/styles.css';

const root = document.querySelector<HTMLElement>('#app');
if (root) root.textContent = 'offpay till';
