import { hello } from '@refund-desk/domain';
console.log(hello());
