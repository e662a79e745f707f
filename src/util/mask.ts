/** 13812345678 -> 138****5678: phone numbers never reach a log in full. */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : '***';
}
