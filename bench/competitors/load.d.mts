export declare function load(specifier: string): Promise<unknown>;
