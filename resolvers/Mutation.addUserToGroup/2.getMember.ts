// AdminGetUser after the membership change: the shared functions/getMember.[cognito].ts.
export * from '../functions/getMember.[cognito]';
