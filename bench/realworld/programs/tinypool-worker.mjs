export default ({ a, b }) => a + b;
export const twice = (n) => n * 2;
