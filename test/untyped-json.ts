/**
 * A JSON body under test. Tests assert it field by field (a wrong shape fails the assertion), so it is
 * deliberately untyped rather than cast to each response's type; test/** turns the no-unsafe-* rules off for it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the suite's one deliberate `any`, for the reason above
export type UntypedJson = any;

/** The response's JSON body, untyped: see UntypedJson. */
export const untypedJson = (response: Response): Promise<UntypedJson> => response.json();
