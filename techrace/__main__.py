from techrace.launcher import main

raise SystemExit(main())
